# Issue 8, faults: the status bar shows DNS updates failing, from the database's update log.
headroom_test(tst_fault_statusbar LABEL ui SOURCES tst_fault_statusbar.cpp LIBS headroom_ui)
