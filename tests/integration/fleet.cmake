# Fleet scraping against the sandbox's real HAProxy processes.
headroom_test(tst_fleetscraper LABEL integration TIMEOUT 240 SOURCES tst_fleetscraper.cpp)
