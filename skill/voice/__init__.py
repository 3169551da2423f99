"""Offline speech for the skill: spoken commands in (pocketsphinx), spoken answers out (espeak-ng).

One module per stage, as in the simulator's NLU:

- ``wavio``: WAV files in and out, mixing down to mono, resampling to 16 kHz;
- ``speech_out``: text or SSML spoken by espeak-ng;
- ``phrases``, ``grammar``: the interaction model as a speech grammar (every sample, its slots
  expanded into the phrases their types allow, the built-ins and the invocation forms);
- ``lexicon``: pronunciations for the grammar's words (CMUdict, else espeak-ng's guess);
- ``automaton``, ``compiled``: the grammar as a minimal FSG, and the cached files per model;
- ``recognise``: the grammar recogniser, with out-of-grammar rejection;
- ``loop``: recognition -> NLU -> the skill -> the answer spoken, turn after turn;
- ``mic``: microphone turns, where PortAudio and a microphone exist;
- ``commands``: the ``speak``, ``listen`` and ``voice`` CLI verbs;
- ``speakable``: lint findings for words and samples the recogniser cannot hear.

Nothing heard, or nothing certain, is a result (``Recognition.rejected``), not an exception;
``VoiceError`` is for a missing engine or unreadable audio.
"""
