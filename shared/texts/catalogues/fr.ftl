# Textes de fairlink en français. Les heures ($time, $local, $beijing) arrivent déjà mises en
# forme pour la langue ; $zone donne l’abréviation et le nom du fuseau horaire.

## Compte

welcome-title = Bienvenue sur fairlink
welcome-body = Votre compte est prêt.

## Demandes d’achat et correspondances

intent-assigned-title = Nouvelle demande d’achat
intent-assigned-body = La demande d’achat « { $intent } » vous a été attribuée.
intent-matched-title = Demande d’achat compatible
intent-matched-body = La demande d’achat « { $intent } » correspond à l’un de vos produits recommandés (pertinence : { $score }).
recommendation-pushed-title = Produit recommandé
recommendation-pushed-body = « { $exhibit } » correspond à votre demande d’achat « { $intent } ».
push-email-subject = fairlink : { $count ->
        [one] { $count } produit recommandé
       *[other] { $count } produits recommandés
    } pour « { $intent } »
push-email-intro = Bonjour { $name },

    { $count ->
        [one] Ce produit correspond
       *[other] Ces produits correspondent
    } à votre demande d’achat « { $intent } » :
push-email-line = - { $exhibit } ({ $score }) : { $reasons }

## Pourquoi un produit est recommandé

reason-similar-product = Produit similaire à celui que vous recherchez
reason-keywords = Correspond à vos mots-clés : { $words }
reason-moq = Minimum de commande : { $moq } { $unit }, compatible avec la quantité souhaitée ({ $quantity })
reason-price = Prix : { $min }–{ $max } { $currency }, conforme à votre prix cible
reason-certifications = Certifications : { $names }
reason-market = Marché desservi : { $country }
reason-market-region = Marché desservi : { $country } ({ $region })

## Unités de quantité

unit-pieces = { $count ->
        [one] pièce
       *[other] pièces
    }
unit-sets = { $count ->
        [one] jeu
       *[other] jeux
    }
unit-pairs = { $count ->
        [one] paire
       *[other] paires
    }
unit-meters = m
unit-square-meters = m²
unit-kilograms = kg
unit-tons = t
unit-rolls = { $count ->
        [one] rouleau
       *[other] rouleaux
    }
unit-cartons = { $count ->
        [one] carton
       *[other] cartons
    }
unit-containers = { $count ->
        [one] conteneur
       *[other] conteneurs
    }

## Cartes de visite et conversations

card-received-title = Carte de visite reçue
card-received-body = { $sender } vous a envoyé sa carte de visite.
conversation-assigned-title = Nouvelle conversation
conversation-assigned-body = La conversation avec { $buyer } vous a été attribuée.

## Rendez-vous

booking-requested-title = Nouvelle réservation
booking-requested-body = { $buyer } a réservé le créneau du { $beijing } (heure de Pékin). Veuillez désigner la personne qui l’accueillera.
booking-confirmed-title = Rendez-vous confirmé
booking-confirmed-body = Le rendez-vous entre { $exhibitor } et { $buyer } du { $beijing } (heure de Pékin) est confirmé.
booking-cancelled-title = Rendez-vous annulé
booking-cancelled-body = Le rendez-vous du { $beijing } (heure de Pékin) a été annulé.

## E-mails et SMS concernant un rendez-vous

confirmation-email-subject = Rendez-vous confirmé : { $exhibitor } / { $buyer }
confirmation-email-body = Votre rendez-vous entre { $exhibitor } et { $buyer } est confirmé.

    Date et heure : { $local } { $zone }
    Heure de Pékin : { $beijing }

    Rejoindre la réunion : { $link }
invitation-email-subject = Invitation : rendez-vous { $exhibitor } / { $buyer }
invitation-email-body = Bonjour { $name },

    Nous avons le plaisir de vous inviter au rendez-vous entre { $exhibitor } et { $buyer }.

    Date et heure : { $local } { $zone }
    Heure de Pékin : { $beijing }

    Rejoindre la réunion : { $link }
reminder-email-subject = Rappel : votre rendez-vous commence à { $time }
reminder-email-body = Votre rendez-vous entre { $exhibitor } et { $buyer } commence dans 15 minutes.

    Date et heure : { $local } { $zone }
    Heure de Pékin : { $beijing }

    Rejoindre la réunion : { $link }
# Uniquement des caractères GSM-7 (é et à en font partie ; pas d’espace insécable).
reminder-sms = fairlink : rendez-vous { $exhibitor } / { $buyer } à { $time } (heure de Pékin : { $beijing }). Lien : { $link }

## Pays (ISO 3166-1 alpha-2), comme marché desservi par un produit

country-US = États-Unis
country-GB = Royaume-Uni
country-DE = Allemagne
country-FR = France
country-ES = Espagne
country-IT = Italie
country-PT = Portugal
country-NL = Pays-Bas
country-BE = Belgique
country-PL = Pologne
country-SE = Suède
country-RU = Russie
country-KZ = Kazakhstan
country-BY = Biélorussie
country-UA = Ukraine
country-TR = Turquie
country-SA = Arabie saoudite
country-AE = Émirats arabes unis
country-EG = Égypte
country-MA = Maroc
country-DZ = Algérie
country-QA = Qatar
country-KW = Koweït
country-IQ = Irak
country-JO = Jordanie
country-NG = Nigeria
country-KE = Kenya
country-ZA = Afrique du Sud
country-SN = Sénégal
country-GH = Ghana
country-IN = Inde
country-PK = Pakistan
country-BD = Bangladesh
country-ID = Indonésie
country-MY = Malaisie
country-SG = Singapour
country-TH = Thaïlande
country-VN = Vietnam
country-PH = Philippines
country-JP = Japon
country-KR = Corée du Sud
country-CN = Chine
country-HK = Hong Kong
country-TW = Taïwan
country-AU = Australie
country-NZ = Nouvelle-Zélande
country-CA = Canada
country-MX = Mexique
country-BR = Brésil
country-AR = Argentine
country-CL = Chili
country-CO = Colombie
country-PE = Pérou
