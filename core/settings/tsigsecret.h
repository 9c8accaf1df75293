#pragma once

#include "dns/tsigkey.h"
#include "settings/appsettings.h"

#include <QString>
#include <functional>
#include <optional>

class QObject;

namespace headroom {

class SecretStore;

// The console's TSIG key: its name from AppSettings, its secret from where they say it is kept
// (the OS keychain or a 0600 file). Nothing here writes or prints the secret.
namespace tsigsecret {

// Where the console's fallback files go: <application data>/secrets (made 0700).
QString defaultFallbackDir();
// A SecretStore for the console's secrets (keychain service "headroom").
SecretStore *makeStore(QObject *parent, const QString &fallbackDir = defaultFallbackDir());

// The key, blocking on a keychain read in a local event loop: for headroomctl. nullopt with
// *error empty when the settings name no key.
std::optional<TsigKey> loadAndWait(const AppSettings &settings, QString *error);
// The same without blocking, for the console: `done` runs later on the caller's thread, not at
// all once `context` is gone.
void load(const AppSettings &settings, QObject *context,
          std::function<void(const std::optional<TsigKey> &, const QString &error)> done);

} // namespace tsigsecret

} // namespace headroom
