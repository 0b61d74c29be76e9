# The seed's DemoServer in OTP, measured the way bench/runtime-upgrade.mjs and
# bench/runtime-call.mjs measure relx: 100,000 processes through :sys.suspend, :sys.change_code
# and :sys.resume (one process at a time, as the seed's walk-through does it), and a call round
# trip. Prints figure lines (JSON) for bench/run.mjs.
defmodule DemoServer do
  use GenServer
  def init(employee), do: {:ok, employee}
  def handle_call({:add, n}, _from, s), do: {:reply, "#{n} added to #{s.name} ", %{s | money: s.money + n}}
  def code_change("1", s, _extra), do: {:ok, %{name: s.name, salary: s.money}}
  def code_change({:down, "1"}, s, _extra), do: {:ok, %{name: s.name, money: s.salary}}
end

defmodule Bench do
  def figure(name, value, unit, target) do
    IO.puts(~s({"figure":"#{name}","value":#{Float.round(value * 1.0, 3)},"unit":"#{unit}","target":"#{target}"}))
  end

  def swap(pids, old_vsn) do
    {us, :ok} =
      :timer.tc(fn ->
        Enum.each(pids, &:sys.suspend/1)
        Enum.each(pids, &:sys.change_code(&1, DemoServer, old_vsn, nil))
        Enum.each(pids, &:sys.resume/1)
      end)

    us / 1000
  end

  def median(xs), do: Enum.at(Enum.sort(xs), div(length(xs), 2))
end

n = 100_000
pids = for i <- 1..n, do: elem(GenServer.start(DemoServer, %{name: "emp#{i}", money: i}), 1)
Bench.swap(pids, "1")
Bench.swap(pids, {:down, "1"})
times = for _ <- 1..3, do: [Bench.swap(pids, "1"), Bench.swap(pids, {:down, "1"})]
Bench.figure("OTP: sys suspend+change_code+resume, 100,000 processes, one at a time", Bench.median(List.flatten(times)), "ms", "the comparison")

{:ok, pid} = GenServer.start(DemoServer, %{name: "blackode", money: 0})
for _ <- 1..20_000, do: GenServer.call(pid, {:add, 1})
calls = 200_000
{us, _} = :timer.tc(fn -> for _ <- 1..calls, do: GenServer.call(pid, {:add, 1}) end)
Bench.figure("OTP: GenServer.call round trip", us / calls, "µs", "the comparison")
