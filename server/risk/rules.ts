// Risk rules run before any money moves. Each rule looks at the checkout and may ask for a
// REVIEW or a BLOCK with a reason; the strictest outcome wins. Pure, so it is unit-tested.
import sanctions from "./sanctions.json";

export type RiskDecision = "ALLOW" | "REVIEW" | "BLOCK";

export interface RiskInput {
  buyerName: string;
  buyerCountry: string | null;
  totalAmount: bigint;
  /** Checkouts by this buyer in the velocity window, this one excluded. */
  recentCheckouts: number;
  items: { quantity: number; unitPrice: bigint }[];
}

export interface RiskConfig {
  reviewAmount: bigint;
  blockAmount: bigint;
  velocityLimit: number;
  maxQuantityPerLine: number;
}

export const defaultRiskConfig: RiskConfig = {
  reviewAmount: 200_000n, // $2,000.00
  blockAmount: 1_000_000n, // $10,000.00
  velocityLimit: 10,
  maxQuantityPerLine: 20,
};

export interface RiskResult {
  decision: RiskDecision;
  reasons: string[];
}

const normalize = (name: string) => name.trim().toLowerCase().replace(/\s+/g, " ");

export function assessRisk(input: RiskInput, config: RiskConfig = defaultRiskConfig): RiskResult {
  const blocks: string[] = [];
  const reviews: string[] = [];
  if (sanctions.names.includes(normalize(input.buyerName)))
    blocks.push("Buyer matches the sanctions screening list");
  if (input.buyerCountry && sanctions.countries.includes(input.buyerCountry.toUpperCase())) {
    blocks.push(`Buyer country ${input.buyerCountry.toUpperCase()} is under sanctions`);
  }
  if (input.totalAmount > config.blockAmount) blocks.push("Amount is above the checkout limit");
  else if (input.totalAmount > config.reviewAmount) reviews.push("Amount is above the review threshold");
  if (input.recentCheckouts >= config.velocityLimit)
    reviews.push("Unusually many checkouts by this buyer recently");
  if (input.items.some((item) => item.quantity > config.maxQuantityPerLine)) {
    reviews.push("Unusual basket: a very large quantity of one item");
  }
  if (blocks.length) return { decision: "BLOCK", reasons: [...blocks, ...reviews] };
  if (reviews.length) return { decision: "REVIEW", reasons: reviews };
  return { decision: "ALLOW", reasons: [] };
}

/** Thresholds from the environment (RISK_*), defaulting to the values above. */
export function riskConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RiskConfig {
  return {
    reviewAmount: BigInt(env.RISK_REVIEW_AMOUNT ?? defaultRiskConfig.reviewAmount),
    blockAmount: BigInt(env.RISK_BLOCK_AMOUNT ?? defaultRiskConfig.blockAmount),
    velocityLimit: Number(env.RISK_VELOCITY_LIMIT ?? defaultRiskConfig.velocityLimit),
    maxQuantityPerLine: Number(env.RISK_MAX_QUANTITY ?? defaultRiskConfig.maxQuantityPerLine),
  };
}
