/** Password hashing and policy live with the use cases; the HTTP edge and the demo seed use them from here. */
export * from '../hub/passwords.js';
