headroom_test(tst_delegationcheck LABEL integration TIMEOUT 180 SOURCES tst_delegationcheck.cpp)
