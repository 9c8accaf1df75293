# Provisioning a purchaser site on the sandbox's real HAProxy processes while traffic runs.
headroom_test(tst_provisioner LABEL integration TIMEOUT 240 SOURCES tst_provisioner.cpp)
