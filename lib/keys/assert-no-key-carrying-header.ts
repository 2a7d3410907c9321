import { errors, type JWSHeaderParameters } from 'jose';

// RFC 8725 section 3.10 / PortSwigger "jwk" and "jku" labs: a token must never supply or point
// at its own key; such a header is refused outright rather than silently ignored.
const KEY_CARRYING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const;

/** Refuses a token header that carries or points at a key (`jwk`, `jku`, `x5u`, `x5c`). */
export function assertNoKeyCarryingHeader(header: JWSHeaderParameters): void {
  for (const name of KEY_CARRYING_HEADERS) {
    if (Object.hasOwn(header, name)) {
      throw new errors.JWSInvalid('key-carrying header parameters are not accepted');
    }
  }
}
