#!/bin/sh
# The disk-full fault (tst_fault_disk_full): headroomctl writing to a database on a 2 MiB tmpfs
# that fills up. Run inside a private mount namespace (unshare -m) as root, so the tmpfs is
# nobody else's business and vanishes with the namespace. Each step's exit code, stdout and stderr
# go to OUT/<step>.{rc,out,err}; the database is copied to OUT at the end for the test to check.
#   fault_disk_full.sh HEADROOMCTL OUT HISTORY_CSV
set -u
ctl=$1
out=$2
csv=$3
mnt=$(mktemp -d)
mount -t tmpfs -o size=2m tmpfs "$mnt" || { echo "cannot mount a tmpfs on $mnt" >&2; exit 90; }
db=$mnt/headroom.sqlite

step() {
    name=$1
    shift
    "$ctl" "$@" >"$out/$name.out" 2>"$out/$name.err"
    echo $? >"$out/$name.rc"
}

for i in 1 2 3; do
    step "before$i" purchaser add "Before $i" --db "$db"
done
# Nearly full: room to open the database, not for a large import (one transaction).
avail=$(df -k --output=avail "$mnt" | tail -1)
dd if=/dev/zero of="$mnt/filler" bs=1k count=$((avail - 160)) 2>/dev/null
df -k "$mnt" | tail -1 >"$out/df-nearly.txt"
step import fleet import-history "$csv" --db "$db"
step nearlyfull purchaser add "Nearly full" --db "$db"
# Full to the last block.
dd if=/dev/zero of="$mnt/filler2" bs=1k 2>/dev/null
df -k "$mnt" | tail -1 >"$out/df-full.txt"
step full purchaser add "Full" --db "$db"
# Space again.
rm -f "$mnt/filler" "$mnt/filler2"
step after purchaser add "After" --db "$db"
step list purchaser list --json --db "$db"
cp "$db" "$out/" && for f in "$db"-wal "$db"-shm; do [ -e "$f" ] && cp "$f" "$out/"; done
umount "$mnt"
rmdir "$mnt"
exit 0
