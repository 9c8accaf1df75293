# Provisioning (issue 4): runtime API command text, answer parsers and plans (pure).
headroom_test(tst_provisioncommands LABEL unit SOURCES fleet/tst_provisioncommands.cpp)
