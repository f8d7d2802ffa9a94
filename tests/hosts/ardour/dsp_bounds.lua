-- Every Ardour DSP routine that writes a buffer writes its n samples and nothing around them:
--   ardour_lua.sh dsp_bounds.lua      (no session needed; exits 1 if any routine does)
-- ARDOUR.DSP holds the routines Ardour selected for this CPU at start-up, the ones its mixing
-- and export use. Each is called with the destination and the source at every alignment
-- relative to each other (16 float offsets each: every residue modulo 64 bytes) and lengths
-- around the routines' block sizes; the samples before and after the destination must keep
-- their value, and those inside must hold the result.
local DSP = ARDOUR.DSP
local GUARD, MAXN = 32, 1040
local DLEN = GUARD + 16 + MAXN + GUARD -- destination area: guard, offset, samples, guard
local SBASE = DLEN + 16                -- source area after it
local shm = DSP.DspShm(SBASE + 16 + MAXN)
local mem = shm:to_float(0):array()

local lengths = {}
for n = 1, 20 do lengths[#lengths + 1] = n end
for _, n in ipairs({31, 32, 33, 63, 64, 65, 127, 128, 129, 383, 384, 1019, 1020, 1021, 1022, 1023, 1024, 1025}) do
  lengths[#lengths + 1] = n
end

-- name, call(dst, src, n), value each written sample must hold (destination 7, source 1),
-- source offsets to try (a routine without a source needs one)
local every = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
local routines = {
  {"mix_buffers_no_gain", function(d, s, n) DSP.mix_buffers_no_gain(d, s, n) end, 8, every},
  {"mix_buffers_with_gain", function(d, s, n) DSP.mix_buffers_with_gain(d, s, n, 0.5) end, 7.5, every},
  {"apply_gain_to_buffer", function(d, s, n) DSP.apply_gain_to_buffer(d, n, 0.5) end, 3.5, {0}},
  {"copy_vector", function(d, s, n) DSP.copy_vector(d, s, n) end, 1, every},
}

local calls, bad = 0, 0
for _, r in ipairs(routines) do
  local name, call, want, soffs = r[1], r[2], r[3], r[4]
  local own, tried = 0, 0
  for _, n in ipairs(lengths) do
    for doff = 0, 15 do
      for _, soff in ipairs(soffs) do
        DSP.memset(shm:to_float(0), 7, DLEN)
        DSP.memset(shm:to_float(SBASE), 1, 16 + MAXN)
        local first = GUARD + doff -- 0-based index of the destination's first sample
        call(shm:to_float(first), shm:to_float(SBASE + soff), n)
        calls, tried = calls + 1, tried + 1
        local wrong
        for i = first - GUARD, first - 1 do
          if mem[i + 1] ~= 7 then wrong = string.format("sample %d before the buffer changed", first - i); break end
        end
        for i = first + n, first + n + GUARD - 1 do
          if not wrong and mem[i + 1] ~= 7 then wrong = string.format("sample %d past the end changed", i - first - n + 1); break end
        end
        for _, i in ipairs({0, n // 2, n - 1}) do
          if not wrong and mem[first + i + 1] ~= want then wrong = string.format("sample %d is %g, not %g", i, mem[first + i + 1], want) end
        end
        if wrong then
          own = own + 1
          if own <= 3 then
            print(string.format("WRONG %s: n=%d, destination %d bytes and source %d bytes past a 64-byte boundary: %s",
                name, n, doff * 4, SBASE % 16 * 4 + soff * 4, wrong))
          end
        end
      end
    end
  end
  print(string.format("%s: %d of %d calls wrote outside their samples or a wrong result", name, own, tried))
  bad = bad + own
end
print(string.format("dsp bounds: %d calls, %d wrote outside their samples or a wrong result", calls, bad))
if bad > 0 then os.exit(1) end
