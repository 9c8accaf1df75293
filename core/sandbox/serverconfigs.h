#pragma once

#include "sandboxlayout.h"

#include <QByteArray>

namespace headroom::serverconfigs {

// Configuration text for each sandbox server. Every value written comes from SandboxLayout,
// whose addresses are parsed QHostAddress values, ports are integers and paths were checked
// against a strict character set; secrets are base64 (checked again here).

QByteArray pdnsConf(const SandboxLayout &layout, const QString &databasePath);
QByteArray recursorConf(const SandboxLayout &layout);
QByteArray namedConf(const SandboxLayout &layout, const QByteArray &axfrSecret);
QByteArray purchaserZoneFile(const SandboxLayout &layout);
QByteArray haproxyCfg(const SandboxLayout &layout, const ProxyEndpoint &proxy);
QByteArray haproxyHostMap(const SandboxLayout &layout);
QByteArray nginxConf(const SandboxLayout &layout, const OriginEndpoint &origin);

bool isBase64Secret(const QByteArray &secret);

} // namespace headroom::serverconfigs
