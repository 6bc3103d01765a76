/** The analysis's stages and the only moves between them: due, overdue, closed with findings. */
import type { Transitions } from '../kernel/entity';
import type { RcaStage } from './contract';

export const RCA_TRANSITIONS: Transitions<RcaStage> = {
  open: ['overdue', 'closed'],
  overdue: ['closed'],
  closed: [],
};
