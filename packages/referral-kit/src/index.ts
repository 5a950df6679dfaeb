export { referralProgramAbi, referralProgramBytecode, referralProgramRuntimeBytecode } from './generated/referralProgram.js'
export { SOLC_VERSION, EVM_VERSION } from './generated/compiler.js'
export { referralRegistryAbi, referralRegistryBytecode, referralRegistryRuntimeBytecode } from './generated/referralRegistry.js'
export { referralRewardsAbi, referralRewardsBytecode, referralRewardsRuntimeBytecode } from './generated/referralRewards.js'
export { referralBadgesAbi, referralBadgesBytecode, referralBadgesRuntimeBytecode } from './generated/referralBadges.js'
export { referralMintAbi, referralMintBytecode, referralMintRuntimeBytecode } from './generated/referralMint.js'
export { referralKitEventsAndErrorsAbi, type ReferralBadgesAbi, type ReferralRegistryAbi, type ReferralRewardsAbi } from './kit/abi.js'
export { decodeReferralKitError, decodeReferralKitLog, type ReferralKitEvent } from './kit/decode.js'
export { deployReferralBadgesData, deployReferralRegistryData, deployReferralRewardsData, NO_REWARDS_SEASON } from './kit/deployData.js'
export { ExecutorChain, deployReferralKitOnExecutor, type ExecutorChainCall, type ExecutorChainReceipt } from './kit/executorChain.js'
export { deployReferralKit, referralKitContracts, ReferralKitTransactionError, type DeployReferralKitOptions, type ReferralKitContracts, type ReferralKitWallet } from './kit/viemClient.js'
export {
  readReferralKitEvents,
  referralKitEventsFromResults,
  summarizeReferralKit,
  type LogReader,
  type ReferralKitEventRecord,
  type ReferralKitReferrer,
  type ReferralKitSummary,
} from './kit/kitAnalytics.js'
export { ETH_REWARDS, type ReferralKitAddresses, type RegistryConfig, type RegistryTier, type RewardsConfig, type RewardsSeason } from './kit/types.js'
export {
  codeFor,
  decodeReferralError,
  decodeReferralLog,
  deployReferralProgramData,
  referralCalls,
  signRegistryAttestation,
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
export { PROGRAM_DESIGNS, type ActionKind, type Campaign, type CampaignBlock, type CampaignOptions, type CampaignTransaction, type FraudKind, type ProgramDesign, type ProtocolCampaign } from './campaign/types.js'
export { analyzeProtocolCampaign } from './analytics/protocolAnalytics.js'
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
