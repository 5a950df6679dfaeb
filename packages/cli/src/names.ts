/**
 * The names the CLI accepts, apart from the registry that builds them: the usage text needs the
 * names on every start, and the registry imports every scheduler and backend.
 */
export const schedulerNames = ['sequential', 'optimistic', 'static', 'sharded'] as const
export const backendNames = ['memory', 'merkle', 'lmdb'] as const

export type SchedulerName = (typeof schedulerNames)[number]
export type BackendName = (typeof backendNames)[number]
