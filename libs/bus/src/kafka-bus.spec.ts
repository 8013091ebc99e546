import { AssignerProtocol } from 'kafkajs';
import { copartitionedAssigner } from './kafka-bus';

type Cluster = Parameters<typeof copartitionedAssigner>[0]['cluster'];

async function assign(memberIds: string[], partitions: Record<string, number>): Promise<Record<string, Record<string, number[]>>> {
  const cluster = { findTopicPartitionMetadata: (topic: string) => Array.from({ length: partitions[topic] }, (_, partitionId) => ({ partitionId })) } as unknown as Cluster;
  const assigner = copartitionedAssigner({ cluster, groupId: 'g', logger: undefined as never });
  const assignments = await assigner.assign({ members: memberIds.map((memberId) => ({ memberId, memberMetadata: Buffer.alloc(0) })), topics: Object.keys(partitions) });
  return Object.fromEntries(assignments.map(({ memberId, memberAssignment }) => [memberId, AssignerProtocol.MemberAssignment.decode(memberAssignment)!.assignment]));
}

describe('copartitionedAssigner', () => {
  it('gives partition p of every topic to the same member, for a number of members that does not divide the partitions', async () => {
    const assigned = await assign(['m-c', 'm-a', 'm-b', 'm-d', 'm-e'], { requests: 12, 'batch-requests': 12 });
    expect(assigned['m-a']).toEqual({ requests: [0, 5, 10], 'batch-requests': [0, 5, 10] });
    expect(assigned['m-b']).toEqual({ requests: [1, 6, 11], 'batch-requests': [1, 6, 11] });
    expect(assigned['m-e']).toEqual({ requests: [4, 9], 'batch-requests': [4, 9] });
    const all = Object.values(assigned).flatMap((topics) => topics.requests).sort((a, b) => a - b);
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('gives a member with no partition an empty assignment', async () => {
    expect(await assign(['m-a', 'm-b', 'm-c'], { requests: 2 })).toEqual({ 'm-a': { requests: [0] }, 'm-b': { requests: [1] }, 'm-c': {} });
  });
});
