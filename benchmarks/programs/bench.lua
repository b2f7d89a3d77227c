-- The Lua program of `python -m wasmaot.bench.programs` (an interpreter
-- loop: calls, tables, strings, metatables).  Deterministic output: every
-- engine's stdout must equal the native build's.
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end

local t = {}
for i = 1, 200000 do t[i] = (i * 7919) % 100003 end
table.sort(t)

local parts = {}
for i = 1, 100000 do parts[#parts + 1] = string.format("%d:%x", i, t[i]) end
local s = table.concat(parts, ",")
local count = 0
for _ in s:gmatch("%d+:a") do count = count + 1 end

local Point = {}
Point.__index = Point
function Point.new(x, y) return setmetatable({x = x, y = y}, Point) end
function Point:add(o) return Point.new(self.x + o.x, self.y + o.y) end
local acc = Point.new(0, 0)
for i = 1, 1000000 do acc = acc:add(Point.new(i % 7, i % 11)) end

print(fib(30), t[1], t[#t], #s, count, acc.x, acc.y)
