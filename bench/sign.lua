-- wrk script: every request is a new YCloud delivery (or, with SCHEME=standard-webhooks, a
-- Standard Webhooks one, keyed by SW_KEY: the peers bench's key, bench/peers/routes.rs) with a
-- 1 KiB body (BODY_SIZE) and a unique id, signed with the current time. Requests are signed ahead, in init(), so that the load
-- generator is not the bottleneck; a run must send fewer than POOL requests per thread, or ids
-- would repeat (done() says so, and bench/http.sh then fails). The same script drives every
-- route, so wrk does the same work for each and only the server differs.
-- HMAC comes from libcrypto through LuaJIT's FFI.
local ffi = require("ffi")
ffi.cdef [[
typedef struct evp_md_st EVP_MD;
const EVP_MD *EVP_sha256(void);
unsigned char *HMAC(const EVP_MD *md, const void *key, int key_len,
                    const unsigned char *data, size_t data_len,
                    unsigned char *out, unsigned int *out_len);
]]
local crypto = ffi.load("crypto")
local secret = os.getenv("BENCH_SECRET") or "whsec_bench"
local scheme = os.getenv("SCHEME") or "ycloud"
local sw_key = os.getenv("SW_KEY") or "tower-webhooks-peers-bench-key"
local b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
-- Standard base64 (with padding) of n bytes at p.
local function base64(p, n)
  local out = {}
  for i = 0, n - 1, 3 do
    local a, b, c = p[i], (i + 1 < n) and p[i + 1] or 0, (i + 2 < n) and p[i + 2] or 0
    local v = a * 65536 + b * 256 + c
    local function at(shift) local k = math.floor(v / shift) % 64 + 1 return b64chars:sub(k, k) end
    out[#out + 1] = at(262144) .. at(4096) .. ((i + 1 < n) and at(64) or "=") .. ((i + 2 < n) and at(1) or "=")
  end
  return table.concat(out)
end
local body_size = tonumber(os.getenv("BODY_SIZE") or "1024")
local pool_size = tonumber(os.getenv("POOL") or "200000")
local mac = ffi.new("unsigned char[32]")
local mac_len = ffi.new("unsigned int[1]")
local hex = {}
for i = 0, 255 do hex[i] = string.format("%02x", i) end

local threads = 0
function setup(thread)
  threads = threads + 1
  -- Unique across threads and across runs against the same server.
  thread:set("run", string.format("%d%06d_%d", os.time(), math.random(0, 999999), threads))
end

local counter = 0
local parts = {}
local pads = {}
local function signed()
  counter = counter + 1
  local id = "evt_" .. run .. "_" .. counter
  local head = '{"id":"' .. id .. '","type":"bench.event","pad":"'
  local pad_len = body_size - #head - 2
  local pad = pads[pad_len]
  if not pad then
    pad = string.rep("a", pad_len)
    pads[pad_len] = pad
  end
  local body = head .. pad .. '"}'
  local t = tostring(os.time())
  if scheme == "standard-webhooks" then
    local message = id .. "." .. t .. "." .. body
    crypto.HMAC(crypto.EVP_sha256(), sw_key, #sw_key, message, #message, mac, mac_len)
    return wrk.format("POST", nil, {
      ["Content-Type"] = "application/json",
      ["webhook-id"] = id,
      ["webhook-timestamp"] = t,
      ["webhook-signature"] = "v1," .. base64(mac, 32),
    }, body)
  end
  local message = t .. "." .. body
  crypto.HMAC(crypto.EVP_sha256(), secret, #secret, message, #message, mac, mac_len)
  for i = 0, 31 do parts[i + 1] = hex[mac[i]] end
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["YCloud-Signature"] = "t=" .. t .. ",s=" .. table.concat(parts),
  }, body)
end

local pool = {}
local sent = 0
function init(args)
  for i = 1, pool_size do pool[i] = signed() end
end

function request()
  sent = sent + 1
  return pool[(sent - 1) % pool_size + 1]
end

function done(summary, latency, requests)
  io.write(string.format("non-200: %d\n", summary.errors.status))
  local per_thread = summary.requests / threads
  if per_thread > pool_size then
    io.write(string.format("POOL EXHAUSTED: %d requests per thread, pool %d\n", per_thread, pool_size))
  end
end
