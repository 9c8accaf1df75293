# Issue 8, faults: the pure pieces (backoff of DNS retries, wall-clock jump detection, the lease
# lifecycle under a jumping clock).
headroom_test(tst_fault_logic LABEL unit SOURCES control/tst_fault_logic.cpp)
