/** Where an import's blobs live. Every module names them through this one place. */
export const importBlobKeys = {
  /** the NDJSON input as uploaded inline or fetched from a URL (uploads keep their own key) */
  input: (importId: string): string => `imports/${importId}/input.ndjson`,
  /** the n-th status part (1-based): one part per committed chunk */
  statusPart: (importId: string, n: number): string =>
    `imports/${importId}/status-${String(n).padStart(6, '0')}.ndjson`,
  /** the single status file of jobs from before status parts */
  legacyStatus: (importId: string): string => `imports/${importId}/status.ndjson`,
  /** the job's options (`ImportJobOptions`), written before the job row when any is set */
  options: (importId: string): string => `imports/${importId}/options.json`,
}
