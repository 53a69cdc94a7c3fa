import { JobsView } from "./jobs-view";

export const metadata = { title: "Jobs · Payrail" };

export default function JobsPage() {
  return (
    <>
      <h1>Jobs</h1>
      <JobsView />
    </>
  );
}
