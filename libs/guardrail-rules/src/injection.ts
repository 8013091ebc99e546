// Prompt injection and jailbreak attempts, scored from 0 to 1 by phrases: each signal found adds its
// weight (1 - product of (1 - weight)). The text is normalised first, so that zero-width characters,
// look-alike letters from other scripts and full-width forms do not hide a phrase, and base64 blobs are
// decoded and scored too. A heuristic, not a classifier: its figures on the corpus are in
// docs/guardrails.md, and a model-based check is the way to catch what phrases cannot.

export interface InjectionScore {
  score: number;
  /** The signals found, by name (never the text). */
  signals: string[];
}

const ZERO_WIDTH = /[\u200B-\u200F\u2060-\u2064\uFEFF\u00AD]/g;
const HAS_ZERO_WIDTH = /[\u200B-\u200F\u2060-\u2064\uFEFF\u00AD]/;

// Cyrillic and Greek letters that look like Latin ones (Unicode's confusables, the common subset).
const HOMOGLYPHS: Record<string, string> = {
  а: 'a', е: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', і: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ɡ: 'g', һ: 'h', ӏ: 'l', ԛ: 'q', ԝ: 'w',
  А: 'a', В: 'b', Е: 'e', К: 'k', М: 'm', Н: 'h', О: 'o', Р: 'p', С: 'c', Т: 't', Х: 'x', У: 'y', І: 'i',
  α: 'a', ο: 'o', ν: 'v', ρ: 'p', τ: 't', ι: 'i', κ: 'k', Α: 'a', Β: 'b', Ε: 'e', Η: 'h', Ι: 'i', Κ: 'k', Μ: 'm', Ν: 'n', Ο: 'o', Ρ: 'p', Τ: 't', Χ: 'x', Υ: 'y', Ζ: 'z',
};
const HOMOGLYPH = new RegExp(`[${Object.keys(HOMOGLYPHS).join('')}]`, 'g');
// A Latin letter next to a look-alike: mixed scripts inside one word.
const MIXED_SCRIPT = new RegExp(`[A-Za-z][${Object.keys(HOMOGLYPHS).join('')}]|[${Object.keys(HOMOGLYPHS).join('')}][A-Za-z]`);

const BASE64_BLOB = /(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{24,4096}={0,2}(?![A-Za-z0-9+/=])/g;

interface Signal {
  name: string;
  weight: number;
  pattern: RegExp;
}

// Gaps between the words of a phrase are bounded ({0,40}), which keeps every pattern linear.
const GAP = '[^.!?\\n]{0,40}?';
const SIGNALS: Signal[] = [
  {
    name: 'instruction_override',
    weight: 0.9,
    pattern: new RegExp(
      `\\b(?:ignore|disregard|forget|override|bypass|skip|drop)\\b${GAP}\\b(?:previous|prior|above|earlier|preceding|all|any|your|the|these|those|initial|original)\\b${GAP}\\b(?:instructions?|rules|prompts?|directions|directives|guidelines|context|constraints|guardrails|polic(?:y|ies))\\b`,
    ),
  },
  {
    name: 'instruction_override',
    weight: 0.9,
    pattern: new RegExp(
      `\\b(?:ignoriere|vergiss|missachte)\\b${GAP}\\b(?:anweisungen|regeln|vorgaben)|\\b(?:ignore[zr]?|oublie[zr]?)\\b${GAP}\\b(?:instructions|consignes|règles)|\\b(?:ignora|olvida|ignore|esqueça|esqueca)\\b${GAP}\\b(?:instrucciones|reglas|instruções|instrucoes|regras|istruzioni|regole)|(?:以前|前の|上記).{0,10}(?:指示|命令).{0,10}(?:無視|忘れ)|忽略.{0,10}(?:指令|指示|规则)`,
    ),
  },
  { name: 'new_instructions', weight: 0.5, pattern: /\b(?:new|updated|real|actual) (?:instructions|rules|system prompt)\b|\bfrom now on,? (?:you|your)\b/ },
  {
    name: 'prompt_exfiltration',
    weight: 0.85,
    pattern: new RegExp(
      `\\b(?:reveal|show|print|repeat|output|display|leak|dump|tell me|give me|what (?:is|are|was|were)|copy|recite|spell out|translate)\\b${GAP}\\b(?:system prompt|system message|initial (?:prompt|instructions)|hidden (?:prompt|instructions|rules)|your (?:instructions|prompt|rules|guidelines|system prompt)|the (?:text|words) above|everything above|developer (?:message|instructions))`,
    ),
  },
  {
    name: 'prompt_exfiltration',
    weight: 0.85,
    pattern: /\b(?:zeige?|gib|wiederhole)\b.{0,40}\b(?:systemprompt|system-prompt|anweisungen)\b|\b(?:montre|affiche|répète|révèle)\b.{0,40}\b(?:prompt système|instructions)\b|\b(?:muestra|revela|repite)\b.{0,40}\b(?:prompt del sistema|instrucciones)\b|システムプロンプト/,
  },
  {
    name: 'roleplay_escape',
    weight: 0.9,
    pattern: new RegExp(
      `\\b(?:you are now|act as|pretend (?:to be|you are|that you are)|from now on you|roleplay as|role-play as|imagine you are|behave as|simulate)\\b[^.!?\\n]{0,60}?\\b(?:dan|unrestricted|unfiltered|uncensored|jailbroken|no (?:rules|restrictions|limits|filters|guidelines)|without (?:any )?(?:rules|restrictions|limits|filters|guidelines|ethics|morals)|evil|developer mode|god mode|an? ai with no)\\b`,
    ),
  },
  { name: 'jailbreak_term', weight: 0.6, pattern: /\b(?:jailbreak|jailbroken|developer mode enabled|do anything now|dan mode|stay in character|aim mode)\b/ },
  { name: 'delimiter_injection', weight: 0.5, pattern: /<\|im_start\|>|<\|system\|>|\[\/?inst\]|<<sys>>|### (?:system|instruction)|<\/?system>/ },
];

/** The text as the signals read it: no zero-width characters, look-alikes folded, NFKC, lower case. */
export function normaliseForInjection(text: string): string {
  return text.replace(ZERO_WIDTH, '').replace(HOMOGLYPH, (char) => HOMOGLYPHS[char]).normalize('NFKC').toLowerCase();
}

function signalsIn(normalised: string, found: Map<string, number>): void {
  for (const signal of SIGNALS) {
    if ((found.get(signal.name) ?? 0) < signal.weight && signal.pattern.test(normalised)) found.set(signal.name, signal.weight);
  }
}

/** The text's score and the signals behind it. */
export function scoreInjection(text: string): InjectionScore {
  const found = new Map<string, number>();
  const normalised = normaliseForInjection(text);
  signalsIn(normalised, found);
  // Hiding is a signal of its own: an instruction needs no zero-width characters or mixed scripts.
  const hidden = HAS_ZERO_WIDTH.test(text) || MIXED_SCRIPT.test(text);
  if (hidden && found.size > 0) found.set('obfuscation', 0.5);
  BASE64_BLOB.lastIndex = 0;
  for (let blob = BASE64_BLOB.exec(text); blob; blob = BASE64_BLOB.exec(text)) {
    const decoded = Buffer.from(blob[0], 'base64').toString('utf8');
    // Decoded text, not binary: most of it printable.
    if (decoded.replace(/[\x20-\x7e\s]/g, '').length > decoded.length / 10) continue;
    const before = found.size;
    signalsIn(normaliseForInjection(decoded), found);
    if (found.size > before) found.set('encoded_payload', 0.6);
  }
  let remaining = 1;
  for (const weight of found.values()) remaining *= 1 - weight;
  return { score: Math.round((1 - remaining) * 1000) / 1000, signals: [...found.keys()] };
}
