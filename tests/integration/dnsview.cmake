headroom_test(tst_dnsview_live LABEL integration TIMEOUT 180 SOURCES tst_dnsview_live.cpp LIBS headroom_ui)
