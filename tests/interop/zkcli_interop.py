"""Apache ZooKeeper's Java CLI (zkCli.sh, batch mode: one command per run)
against zkpp-server. zkCli exits 0 even when a command fails, so the test
checks what it prints."""

import subprocess
import sys

from zkpp_server_process import ZkppServer

ZKCLI = "/usr/share/zookeeper/bin/zkCli.sh"
COMMAND_DEADLINE = 60


def main(binary):
    with ZkppServer(binary) as server:
        def cli(*command):
            try:
                done = subprocess.run([ZKCLI, "-server", server.address, *command],
                                      capture_output=True, text=True, timeout=COMMAND_DEADLINE)
            except subprocess.TimeoutExpired:
                raise AssertionError("zkCli %s did not finish within %s s" % (" ".join(command), COMMAND_DEADLINE))
            return done.stdout + done.stderr

        def expect(output, text, command):
            if text not in output:
                raise AssertionError("zkCli %s: expected %r in:\n%s" % (command, text, output))

        expect(cli("create", "/cli", "hello"), "Created /cli", "create")
        expect(cli("create", "-s", "/cli/seq-", "x"), "Created /cli/seq-0000000000", "create -s")
        expect(cli("create", "-s", "/cli/seq-", "y"), "Created /cli/seq-0000000001", "create -s")
        out = cli("get", "-s", "/cli")
        for text in ("hello", "dataVersion = 0", "numChildren = 2", "cversion = 2", "ephemeralOwner = 0x0"):
            expect(out, text, "get -s")
        cli("set", "/cli", "world")
        out = cli("get", "-s", "/cli")
        expect(out, "world", "get after set")
        expect(out, "dataVersion = 1", "get after set")
        expect(cli("ls", "/cli"), "[seq-0000000000, seq-0000000001]", "ls")
        expect(cli("ls", "/"), "zookeeper", "ls /")
        expect(cli("getAcl", "/cli"), "'world,'anyone\n: cdrwa", "getAcl")
        cli("create", "/locked", "x", "digest:user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=:cdrwa")
        expect(cli("get", "/locked"), "Insufficient permission : /locked", "get /locked")
        expect(cli("getAcl", "/locked"), "Insufficient permission : /locked", "getAcl /locked")
        expect(cli("delete", "/cli"), "Node not empty: /cli", "delete non-empty")
        cli("deleteall", "/cli")
        expect(cli("get", "/cli"), "Node does not exist: /cli", "get deleted")
        # TTL nodes are off unless extendedTypesEnabled, as on Apache ZooKeeper.
        expect(cli("create", "-t", "1000", "/ttl", "x"), "Unimplemented", "create -t")
    print("zkCli interop: ok")


if __name__ == "__main__":
    main(sys.argv[1])
