import type { ChainConfig, Common } from '@ethereumjs/common'
import type { CommonDescriptor } from './workerProtocol.js'

/**
 * What a worker needs to rebuild `common` on its own thread: the chain's parameters (fork
 * schedule included) and the EIPs activated on top. Common keeps the parameters in a protected
 * field and offers no getter; they are plain JSON (Common itself deep-copies them that way).
 */
export function describeCommon(common: Common): CommonDescriptor {
  return { chain: (common as unknown as { _chainParams: ChainConfig })._chainParams, eips: common.eips() }
}
