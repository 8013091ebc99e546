// Original file: proto/aigateway/v1/gateway.proto


export interface ModerationVerdict {
  /**
   * True when any category is.
   */
  'flagged'?: (boolean);
  /**
   * The provider's own category names.
   */
  'categories'?: ({[key: string]: boolean});
  'category_scores'?: ({[key: string]: number | string});
}

export interface ModerationVerdict__Output {
  /**
   * True when any category is.
   */
  'flagged': (boolean);
  /**
   * The provider's own category names.
   */
  'categories': ({[key: string]: boolean});
  'category_scores': ({[key: string]: number});
}
