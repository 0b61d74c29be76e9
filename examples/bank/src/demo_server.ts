// DemoServer v1: the state is { name, money }; adding money answers with a sentence.
import { defineServer } from "relx";

interface Employee {
  name: string;
  money: number;
}

export default defineServer<Employee>({
  name: "DemoServer",
  vsn: "1",
  init: (employee: Employee) => employee,
  handleCall(msg: { add: number }, _from, state) {
    return {
      reply: `${msg.add} added to ${state.name} `,
      state: { ...state, money: state.money + msg.add },
    };
  },
});
