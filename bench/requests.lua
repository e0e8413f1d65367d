-- wrk script for `npm run bench` (bench/run.ts): cycles through the requests named after `--`.
--
--   wrk -t2 -c64 -d5s -s bench/requests.lua http://127.0.0.1:PORT -- 2 0 ENTRY [ENTRY ...]
--
-- The first argument is the number of wrk threads (-t), the second the position in the budget
-- cycle to start at (bench/load.ts continues it from one run to the next). Each ENTRY is one of:
--   /path?query           a GET
--   /path?flops={flops}   a GET whose {flops} is a new budget on every request: 1.00e20 to
--                         9.99e25 in 5,400 steps, threads interleaved, so no budget repeats before
--                         5,400 requests and the Worker's 512-answer memo never hits
--   @slack                a signed Slack slash command; bench/run.ts passes the path, body,
--                         timestamp and signature in BENCH_SLACK_PATH, BENCH_SLACK_BODY,
--                         BENCH_SLACK_TIMESTAMP and BENCH_SLACK_SIGNATURE
-- bench/load.ts has the same logic for the Node load generator (BENCH_LOADGEN=node).

local thread_count = 0

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
end

local entries = {}
local stride = 1
local offset = 0
local sent = 0
local budgets = 0
local slack_request

function init(args)
  stride = tonumber(args[1]) or 1
  offset = tonumber(args[2]) or 0
  for i = 3, #args do
    entries[#entries + 1] = args[i]
  end
  if #entries == 0 then
    error("requests.lua: no requests given after the thread count and the budget offset")
  end
  for _, entry in ipairs(entries) do
    if entry == "@slack" and slack_request == nil then
      local headers = {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Slack-Request-Timestamp"] = os.getenv("BENCH_SLACK_TIMESTAMP"),
        ["X-Slack-Signature"] = os.getenv("BENCH_SLACK_SIGNATURE"),
      }
      slack_request = wrk.format(
        "POST",
        os.getenv("BENCH_SLACK_PATH"),
        headers,
        os.getenv("BENCH_SLACK_BODY")
      )
    end
  end
end

local function next_flops()
  local k = (offset + budgets * stride + (thread_index or 0)) % 5400
  budgets = budgets + 1
  return string.format("%.2fe%d", 1 + (k % 900) / 100, 20 + math.floor(k / 900))
end

function request()
  local entry = entries[(sent % #entries) + 1]
  sent = sent + 1
  if entry == "@slack" then
    return slack_request
  end
  if string.find(entry, "{flops}", 1, true) then
    entry = string.gsub(entry, "{flops}", next_flops())
  end
  return wrk.format("GET", entry)
end
