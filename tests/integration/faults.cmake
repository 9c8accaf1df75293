# Issue 8, faults: each against the sandbox's real servers (or, for the disk, a real tmpfs), with
# `headroomctl` as the operator and `headroomctl run` as the controller. A missing server, tool or
# privilege fails the test; nothing here skips. Measurements: docs/reliability-faults.md.
add_library(headroom_faultsupport STATIC faultsupport.cpp faultsupport.h)
target_link_libraries(headroom_faultsupport PUBLIC headroom_core headroom_testsupport Qt6::Test)

# PowerDNS stopped for 60 s: retries back off, the outage is logged once, the console's status
# bar shows it (the widget runs here), and the zone converges once it is back. ~2.5 min.
headroom_test(tst_fault_dns_outage LABEL integration TIMEOUT 300 SOURCES tst_fault_dns_outage.cpp
              LIBS headroom_faultsupport headroom_ui)
add_dependencies(tst_fault_dns_outage headroomctl)

# A proxy SIGKILLed and started again: left out of the weights, provisioned again (a hard restart
# loses the runtime API's servers), steered to again. ~1 min.
headroom_test(tst_fault_proxy_kill LABEL integration TIMEOUT 240 SOURCES tst_fault_proxy_kill.cpp
              LIBS headroom_faultsupport)
add_dependencies(tst_fault_proxy_kill headroomctl)

# `dns import-zone` with the purchaser's DNS stopped, frozen or unreachable. ~30 s.
headroom_test(tst_fault_import LABEL integration TIMEOUT 180 SOURCES tst_fault_import.cpp
              LIBS headroom_faultsupport)
add_dependencies(tst_fault_import headroomctl)

# Another process (sqlite3) holding the write lock: CLI verbs wait or fail clearly; the controller
# steers on and meters everything afterwards. ~1.5 min.
headroom_test(tst_fault_db_locked LABEL integration TIMEOUT 300 SOURCES tst_fault_db_locked.cpp
              LIBS headroom_faultsupport)
add_dependencies(tst_fault_db_locked headroomctl)

# A full tmpfs under the database (unshare -m, as root): clear errors, no corruption. ~15 s.
headroom_test(tst_fault_disk_full LABEL integration TIMEOUT 180 SOURCES tst_fault_disk_full.cpp
              LIBS headroom_faultsupport)
add_dependencies(tst_fault_disk_full headroomctl)

# The wall clock jumping (libfaketime in the controller): deadlines in PowerDNS's time, leases
# end on a forward jump and stay ended, metering exact. ~1.5 min.
headroom_test(tst_fault_clock LABEL integration TIMEOUT 300 SOURCES tst_fault_clock.cpp
              LIBS headroom_faultsupport)
add_dependencies(tst_fault_clock headroomctl)
