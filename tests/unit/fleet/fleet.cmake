# Fleet scraping: parsers and rates (pure), fed with captured and hostile inputs.
headroom_test(tst_prometheusparser LABEL unit SOURCES fleet/tst_prometheusparser.cpp)
target_compile_definitions(tst_prometheusparser
    PRIVATE FLEET_TEST_DATA="${CMAKE_CURRENT_SOURCE_DIR}/fleet/data")
headroom_test(tst_stickytableparser LABEL unit SOURCES fleet/tst_stickytableparser.cpp)
headroom_test(tst_counterrate LABEL unit SOURCES fleet/tst_counterrate.cpp)
