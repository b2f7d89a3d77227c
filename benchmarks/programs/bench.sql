-- The SQLite program of `python -m wasmaot.bench.programs`: inserts, a
-- scan with LIKE, an index build, grouping, a join and sorting.
-- Deterministic output: every engine's stdout must equal the native build's.
PRAGMA temp_store = MEMORY;  -- WASI has no temporary directory
CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, s TEXT);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 600000)
INSERT INTO t(k, s) SELECT (x * 7919) % 100003, printf('row-%08d-%x', x, (x * 31) % 65536) FROM c;
SELECT count(*), sum(k), max(s) FROM t;
SELECT count(*) FROM t WHERE s LIKE '%12%';
CREATE INDEX tk ON t(k);
SELECT k, count(*) FROM t GROUP BY k ORDER BY count(*) DESC, k LIMIT 5;
SELECT sum(a.k * b.k % 1000) FROM t a JOIN t b ON a.k = b.id WHERE a.id % 10 = 0;
SELECT length(group_concat(s, '')) FROM (SELECT s FROM t ORDER BY s DESC LIMIT 10000);
