// The boot spec: one DemoServer for the employee "blackode", as in the article.
import { defineApp } from "relx";

export default defineApp({
  processes: [
    { name: "blackode", server: "DemoServer", args: { name: "blackode", money: 30000 }, restart: "permanent" },
  ],
});
