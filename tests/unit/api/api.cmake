# Purchaser API (issue 6): the parsers of hostile input and the rate limiter (pure, no network).
headroom_test(tst_apirequest LABEL unit SOURCES api/tst_apirequest.cpp)
headroom_test(tst_requestframer LABEL unit SOURCES api/tst_requestframer.cpp)
headroom_test(tst_ratelimiter LABEL unit SOURCES api/tst_ratelimiter.cpp)
