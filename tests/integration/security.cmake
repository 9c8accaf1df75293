# Security (issue 8) against a real sandbox: HAProxy's runtime API levels and socket modes; no
# TSIG secret or API token in the database, logs, settings or program output after the
# operator's flows, and their audit rows.
headroom_test(tst_runtime_levels LABEL integration TIMEOUT 180 SOURCES tst_runtime_levels.cpp)
headroom_test(tst_secret_leaks LABEL integration TIMEOUT 300 SOURCES tst_secret_leaks.cpp)
add_dependencies(tst_secret_leaks headroomctl)
