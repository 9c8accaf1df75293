#pragma once

#include "sandboxlayout.h"

#include <QByteArray>
#include <QList>

namespace headroom::serverconfigs {

// Configuration text for each sandbox server. Every value written comes from SandboxLayout,
// whose addresses are parsed QHostAddress values, ports are integers and paths were checked
// against a strict character set; secrets are base64 (checked again here).

QByteArray pdnsConf(const SandboxLayout &layout, const QString &databasePath);
QByteArray recursorConf(const SandboxLayout &layout);
QByteArray namedConf(const SandboxLayout &layout, const QByteArray &axfrSecret);
QByteArray purchaserZoneFile(const SandboxLayout &layout);
// A server the provisioner added to a purchaser slot at runtime, written into the configuration
// of a reload so that the new process routes the site as the old one did.
struct SlotServer
{
    int slot = 0;
    QString name; // "o0".."o255"
    QHostAddress address;
    quint16 port = 0;
    int weight = 1;
    bool maintenance = false;
};

// `generation` (>= 1) is appended to the per-site stick-table keys ("news.example/2"): a graceful
// reload writes the configuration with the next generation, so the new process never writes
// the entries the old one hands over (peers overwrite an entry, they never add to it). Slot
// servers that are not valid (slot, name, address, port, weight) are left out.
QByteArray haproxyCfg(const SandboxLayout &layout, const ProxyEndpoint &proxy, int generation = 1,
                      const QList<SlotServer> &slotServers = {});
QByteArray haproxyHostMap(const SandboxLayout &layout);
QByteArray nginxConf(const SandboxLayout &layout, const OriginEndpoint &origin);

bool isBase64Secret(const QByteArray &secret);

} // namespace headroom::serverconfigs
