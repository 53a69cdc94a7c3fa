import { ReviewQueue } from "./review-queue";

export const metadata = { title: "Risk reviews · Payrail" };

export default function ReviewsPage() {
  return (
    <>
      <h1>Risk reviews</h1>
      <p className="muted">
        Checkouts the risk rules parked. Approving sends the buyer on to pay; rejecting fails the checkout.
      </p>
      <ReviewQueue />
    </>
  );
}
