"""kazoo (a Python ZooKeeper client) against zkpp-server: CRUD, ephemerals,
sequentials, watches, transactions, ACLs and a Lock contended by three
clients. Every wait has a deadline."""

import subprocess
import sys
import threading

from kazoo.client import KazooClient
from kazoo.exceptions import BadVersionError, NoAuthError, NodeExistsError, NoNodeError, NotEmptyError
from kazoo.recipe.lock import Lock
from kazoo.security import make_acl, make_digest_acl

from zkpp_server_process import ZkppServer, wait_until

DEADLINE = 20


def client(address, **kw):
    zk = KazooClient(hosts=address, timeout=10, **kw)
    zk.start(timeout=DEADLINE)
    return zk


def expect_raises(exc, fn, *args, **kw):
    try:
        fn(*args, **kw)
    except exc:
        return
    raise AssertionError("expected %s from %s%r" % (exc.__name__, fn.__name__, args))


def crud_and_sequentials(zk):
    zk.create("/crud", b"v0")
    data, stat = zk.get("/crud")
    assert data == b"v0" and stat.version == 0, (data, stat)
    stat = zk.set("/crud", b"v1", version=0)
    assert stat.version == 1
    expect_raises(BadVersionError, zk.set, "/crud", b"v2", version=0)
    expect_raises(NodeExistsError, zk.create, "/crud")
    expect_raises(NoNodeError, zk.get, "/nope")
    names = [zk.create("/crud/job-", b"", sequence=True) for _ in range(3)]
    assert names == ["/crud/job-%010d" % i for i in range(3)], names
    expect_raises(NotEmptyError, zk.delete, "/crud")
    zk.delete("/crud", recursive=True)
    assert zk.exists("/crud") is None


def ephemerals(address, zk):
    other = client(address)
    other.create("/eph", b"", ephemeral=True)
    assert zk.exists("/eph").ephemeralOwner == other.client_id[0]
    gone = threading.Event()
    zk.exists("/eph", watch=lambda e: gone.set())
    other.stop()
    other.close()
    assert gone.wait(DEADLINE), "timed out waiting for the ephemeral's NodeDeleted after session close"
    assert zk.exists("/eph") is None


def watches(zk):
    events = []
    zk.create("/w", b"")
    zk.get("/w", watch=events.append)
    zk.get_children("/w", watch=events.append)
    zk.set("/w", b"x")
    zk.create("/w/c", b"")
    wait_until(lambda: len(events) == 2, "a data and a child event on /w")
    assert [e.type for e in events] == ["CHANGED", "CHILD"], events
    seen = []
    zk.DataWatch("/w", lambda data, stat: seen.append(data))
    zk.set("/w", b"y")
    wait_until(lambda: seen[-1:] == [b"y"], "DataWatch to see b'y'")
    zk.delete("/w", recursive=True)


def transactions(zk):
    zk.create("/tx", b"")
    t = zk.transaction()
    t.create("/tx/a", b"1")
    t.check("/tx", 0)
    t.set_data("/tx", b"2")
    results = t.commit()
    assert results[0] == "/tx/a" and results[1] is True, results
    t = zk.transaction()
    t.create("/tx/b", b"")
    t.delete("/tx/missing")
    results = t.commit()
    assert type(results[0]).__name__ == "RolledBackError", results
    assert isinstance(results[1], NoNodeError), results
    assert zk.exists("/tx/b") is None, "a failed transaction must apply nothing"
    zk.delete("/tx", recursive=True)


def acls(address, zk):
    owner = client(address, auth_data=[("digest", "user:password")])
    owner.create("/secret", b"s", acl=[make_digest_acl("user", "password", all=True)])
    expect_raises(NoAuthError, zk.get, "/secret")
    assert owner.get("/secret")[0] == b"s"
    expect_raises(NoAuthError, zk.get_acls, "/secret")
    owner.create("/redacted", b"", acl=[make_acl("world", "anyone", read=True),
                                        make_digest_acl("user", "password", all=True)])
    acl, _ = zk.get_acls("/redacted")
    assert [a.id.id for a in acl] == ["anyone", "user:x"], acl
    zk.add_auth("digest", "user:password")
    assert zk.get("/secret")[0] == b"s"
    owner.stop()
    owner.close()


def contended_lock(address):
    clients = [client(address) for _ in range(3)]
    holders = []
    inside = [0]
    guard = threading.Lock()
    errors = []

    def work(i):
        try:
            lock = Lock(clients[i], "/lock", identifier="c%d" % i)
            for _ in range(5):
                if not lock.acquire(timeout=DEADLINE):
                    raise AssertionError("client %d timed out waiting for the lock" % i)
                with guard:
                    inside[0] += 1
                    if inside[0] != 1:
                        errors.append("two holders at once")
                    holders.append(i)
                with guard:
                    inside[0] -= 1
                lock.release()
        except Exception as e:
            errors.append(repr(e))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(DEADLINE * 5)
        if t.is_alive():
            raise AssertionError("lock worker still running after %s s" % (DEADLINE * 5))
    assert not errors, errors
    assert sorted(holders) == sorted([0, 1, 2] * 5), holders
    for c in clients:
        c.stop()
        c.close()


def usage_errors(binary):
    done = subprocess.run([binary, "--bogus", "1"], capture_output=True, text=True, timeout=DEADLINE)
    assert done.returncode == 2, done
    assert "unknown option --bogus" in done.stderr and "usage:" in done.stderr, done.stderr


def main(binary):
    usage_errors(binary)
    with ZkppServer(binary) as server:
        zk = client(server.address)
        crud_and_sequentials(zk)
        ephemerals(server.address, zk)
        watches(zk)
        transactions(zk)
        acls(server.address, zk)
        contended_lock(server.address)
        zk.stop()
        zk.close()
    print("kazoo interop: ok")


if __name__ == "__main__":
    main(sys.argv[1])
