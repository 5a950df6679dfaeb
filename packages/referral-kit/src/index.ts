export { referralProgramAbi, referralProgramBytecode, referralProgramRuntimeBytecode } from './generated/referralProgram.js'
export { SOLC_VERSION, EVM_VERSION } from './generated/compiler.js'
export {
  codeFor,
  decodeReferralError,
  decodeReferralLog,
  deployReferralProgramData,
  referralCalls,
  signSignUpAttestation,
  type AttestationSignature,
  type ProgramConfig,
  type ReferralEvent,
  type ReferralLogInput,
  type ReferralProgramAbi,
  type Season,
  type SignUpAttestation,
  type Tier,
} from './client.js'
export { generateCampaign, CAMPAIGN_DEFAULTS } from './campaign/generateCampaign.js'
export type { ActionKind, Campaign, CampaignBlock, CampaignOptions, CampaignTransaction, FraudKind, ProgramDesign } from './campaign/types.js'
export { analyzeCampaign } from './analytics/analyzeCampaign.js'
export { recordsFromResults, type CampaignRecords, type LogRecord, type TransactionRecord } from './analytics/records.js'
export type { CampaignAnalytics, ClaimLatency, CohortRetention, ReferrerSummary } from './analytics/types.js'
export { FRAUD_ERRORS, FRAUD_KINDS, fraudKindOf } from './fraudKinds.js'
export { runCampaign, type RunCampaignOptions } from './runCampaign.js'
export { writeCampaign, readCampaign, CAMPAIGN_FILE } from './campaign/campaignFiles.js'
export { analyticsToJson, analyticsFromJson, type CampaignAnalyticsJson, type ReferrerSummaryJson } from './analytics/analyticsJson.js'
export { programSlotLabeller } from './slotLabels.js'
export { renderCampaignReport, type CampaignReportData, type ReportHotKeys, type ReportRun } from './report/campaignReport.js'
export { gasProfile, type GasProfile } from './analytics/gasProfile.js'
