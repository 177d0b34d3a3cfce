import { boot } from "./app.js";

void boot();
