# Cache warming on the sandbox's real proxies: `fleet provision --warm FILE` (issue 4).
headroom_test(tst_cache_warm LABEL integration TIMEOUT 240 SOURCES tst_cache_warm.cpp)
add_dependencies(tst_cache_warm headroomctl)
