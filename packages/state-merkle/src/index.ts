export { createMerkleState, MerkleState } from './merkleState.js'
export type { CreateMerkleStateOptions } from './merkleState.js'
