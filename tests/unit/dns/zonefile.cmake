headroom_test(tst_zonefile LABEL unit SOURCES dns/tst_zonefile.cpp)
