
headroom_test(tst_marketview LABEL ui SOURCES tst_marketview.cpp LIBS headroom_ui)
