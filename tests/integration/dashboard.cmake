headroom_test(tst_dashboard_live LABEL integration TIMEOUT 180 SOURCES tst_dashboard_live.cpp LIBS headroom_ui)
