import os, sqlite3, time, sys
data = open("mr300/IM0001.dcm", "rb").read()
root = "/tmp/netspike/durab"; os.system("rm -rf " + root); os.makedirs(root + "/staging"); os.makedirs(root + "/archive")
db = sqlite3.connect(root + "/index.sqlite", isolation_level=None)
db.execute("pragma journal_mode=wal"); db.execute("pragma synchronous=" + sys.argv[1])
db.execute("create table i(sop text primary key, path text, sha text)")
def step(k, do_dirsync, do_db):
    p = "%s/staging/%d.part" % (root, k)
    fd = os.open(p, os.O_WRONLY | os.O_CREAT, 0o644); os.write(fd, data); t0 = time.perf_counter(); os.fsync(fd); os.close(fd)
    t1 = time.perf_counter()
    a = "%s/archive/%d.dcm" % (root, k); os.link(p, a)
    if do_dirsync:
        d = os.open(root + "/archive", os.O_RDONLY); os.fsync(d); os.close(d)
    t2 = time.perf_counter()
    if do_db:
        db.execute("begin immediate"); db.execute("insert into i values(?,?,?)", (str(k), a, "x")); db.execute("commit")
    t3 = time.perf_counter()
    return t1 - t0, t2 - t1, t3 - t2
n = 200
res = [step(k, True, True) for k in range(n)]
med = lambda xs: sorted(xs)[len(xs) // 2] * 1000
print("synchronous=%s: file fsync %.2f ms, link+dir fsync %.2f ms, sqlite commit %.2f ms (medians of %d)" %
      (sys.argv[1], med([r[0] for r in res]), med([r[1] for r in res]), med([r[2] for r in res]), n))
