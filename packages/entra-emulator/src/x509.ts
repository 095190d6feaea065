// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata
// API before the library loads: import x509 only through this module.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

export { x509 };
