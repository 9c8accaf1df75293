# Security (issue 8): the audit log of operator actions, secrets kept out of settings and logs.
headroom_test(tst_auditlog LABEL unit SOURCES security/tst_auditlog.cpp)
headroom_test(tst_secretstore LABEL unit TIMEOUT 60 SOURCES security/tst_secretstore.cpp)
