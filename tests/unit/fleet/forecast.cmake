# Headroom model, load history and forecast (DESIGN steps 100–101)
headroom_test(tst_headroommodel LABEL unit SOURCES fleet/tst_headroommodel.cpp)
headroom_test(tst_forecast LABEL unit SOURCES fleet/tst_forecast.cpp)
headroom_test(tst_store_loadhistory LABEL unit SOURCES store/tst_loadhistory.cpp)
