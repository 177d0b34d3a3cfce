/**
 * How a screen asks for another screen, without importing the shell that imports it: the shell
 * (`app.ts`) fills this in at start. Static imports only, so that collectstatic can rewrite
 * every module name to its hashed one.
 */
export const nav = {
    render: async () => undefined,
    go: (_name, _params = {}) => undefined,
};
