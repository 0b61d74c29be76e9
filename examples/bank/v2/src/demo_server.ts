// DemoServer v2: `money` is now `salary`, and adding answers with the new state.
// codeChange migrates a v1 state on upgrade, and back again on a downgrade to "1".
import { defineServer } from "relx";

interface Employee {
  name: string;
  salary: number;
}

export default defineServer<Employee>({
  name: "DemoServer",
  vsn: "2",
  // The boot spec still passes { name, money }: a process started on v2 (a node booted on this
  // release, a restart) takes either shape.
  init: (employee: Employee & { money?: number }) => ({ name: employee.name, salary: employee.salary ?? employee.money ?? 0 }),
  handleCall(msg: { add: number }, _from, state) {
    const next = { ...state, salary: state.salary + msg.add };
    return { reply: next, state: next };
  },
  codeChange(oldVsn, state) {
    if (oldVsn === "1") return { name: state.name, salary: state.money };
    if (typeof oldVsn === "object" && oldVsn.down === "1") return { name: state.name, money: state.salary };
    return state;
  },
});
