# Fleet scraping against the sandbox's real HAProxy processes.
headroom_test(tst_fleetscraper LABEL integration TIMEOUT 240 SOURCES tst_fleetscraper.cpp)
headroom_test(tst_ctl_fleet LABEL integration TIMEOUT 180 SOURCES tst_ctl_fleet.cpp)
add_dependencies(tst_ctl_fleet headroomctl)
