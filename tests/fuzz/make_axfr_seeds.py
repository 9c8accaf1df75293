#!/usr/bin/env python3
"""Writes the wire-format seeds of fuzz_zone_import (AXFR answers) into corpus/fuzz_zone_import.

Each seed is the selector byte '1' and then the TCP stream of a zone transfer answer: DNS
messages, each behind its 2-byte length, names compressed as servers compress them. Run it again
only to change the seeds; the files it writes are committed.
"""

import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_zone_import")

A, NS, CNAME, SOA, MX, TXT, AAAA, LUA = 1, 2, 5, 6, 15, 16, 28, 65402


class Message:
    """One answer message; names are compressed against the names already written."""

    def __init__(self, ident, rcode=0, question=("shop.example.", 252)):
        self.ident = ident
        self.rcode = rcode
        self.question = question
        self.answers = []

    def add(self, owner, rtype, ttl, rdata):
        self.answers.append((owner, rtype, ttl, rdata))
        return self

    def wire(self):
        out = bytearray()
        offsets = {}

        def name(text):
            labels = [l for l in text.rstrip(".").split(".") if l]
            for i in range(len(labels)):
                suffix = ".".join(labels[i:]).lower()
                if suffix in offsets:
                    out.extend(struct.pack(">H", 0xC000 | offsets[suffix]))
                    return
                if len(out) < 0x3FFF:
                    offsets[suffix] = len(out)
                label = labels[i].encode()
                out.append(len(label))
                out.extend(label)
            out.append(0)

        flags = 0x8400 | self.rcode  # QR, AA
        qd = 1 if self.question else 0
        out.extend(struct.pack(">HHHHHH", self.ident, flags, qd, len(self.answers), 0, 0))
        if self.question:
            name(self.question[0])
            out.extend(struct.pack(">HH", self.question[1], 1))
        for owner, rtype, ttl, rdata in self.answers:
            name(owner)
            out.extend(struct.pack(">HHI", rtype, 1, ttl))
            length_at = len(out)
            out.extend(b"\0\0")
            for part in rdata:
                if isinstance(part, str):
                    name(part)
                else:
                    out.extend(part)
            struct.pack_into(">H", out, length_at, len(out) - length_at - 2)
        return bytes(out)


def soa(serial):
    return ["ns1.shop.example.", "hostmaster.shop.example.",
            struct.pack(">IIIII", serial, 3600, 600, 604800, 300)]


def ipv4(text):
    return bytes(int(x) for x in text.split("."))


def ipv6(groups):
    return b"".join(struct.pack(">H", g) for g in groups)


def strings(*texts):
    return b"".join(bytes([len(t)]) + t for t in texts)


def stream(*messages):
    return b"1" + b"".join(struct.pack(">H", len(m)) + m for m in (x.wire() for x in messages))


def main():
    os.makedirs(OUT, exist_ok=True)
    z = "shop.example."
    seeds = {}

    whole = Message(0x2B1D)
    whole.add(z, SOA, 3600, soa(2026050101)).add(z, NS, 3600, ["ns1.shop.example."])
    whole.add(z, A, 300, [ipv4("192.0.2.10")]).add(z, MX, 3600, [struct.pack(">H", 10), "mail." + z])
    whole.add("www." + z, CNAME, 300, [z]).add("mail." + z, A, 300, [ipv4("192.0.2.25")])
    whole.add("api." + z, AAAA, 300, [ipv6([0x2001, 0xDB8, 0, 0, 0, 0, 0, 0x10])])
    whole.add(z, TXT, 300, [strings(b"v=spf1 mx -all")])
    whole.add(z, SOA, 3600, soa(2026050101))
    seeds["axfr-one-message"] = stream(whole)

    first = Message(0x51C3).add(z, SOA, 600, soa(7)).add("www." + z, A, 60, [ipv4("198.51.100.7")])
    second = Message(0x51C3, question=None)
    second.add("static." + z, CNAME, 60, ["cdn.example.net."])
    second.add("v6." + z, AAAA, 60, [ipv6([0x2001, 0xDB8, 0x10, 0, 0, 0, 0, 1])])
    second.add(z, SOA, 600, soa(7))
    seeds["axfr-two-messages"] = stream(first, second)

    outside = Message(0x0A0B).add(z, SOA, 60, soa(1))
    outside.add("elsewhere.example.", A, 60, [ipv4("203.0.113.5")])
    outside.add("under_score." + z, A, 60, [ipv4("203.0.113.6")])
    outside.add("lua." + z, LUA, 20, [struct.pack(">H", A) + strings(b"pickwrandom({{1,'192.0.2.1'},",
                                                                     b"{2,'192.0.2.2'}})")])
    outside.add(z, SOA, 60, soa(1))
    seeds["axfr-problems"] = stream(outside)

    # ldns refuses the whole message for one A record of 2 bytes.
    short = Message(0x0A0C).add(z, SOA, 60, soa(1)).add("short." + z, A, 60, [b"\x01\x02"])
    seeds["axfr-bad-rdata"] = stream(short.add(z, SOA, 60, soa(1)))
    seeds["axfr-refused"] = stream(Message(0x7777, rcode=5))
    seeds["axfr-no-soa-first"] = stream(Message(0x1234).add("www." + z, A, 60, [ipv4("192.0.2.1")]))

    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
