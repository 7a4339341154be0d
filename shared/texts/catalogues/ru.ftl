# Тексты fairlink на русском языке. Время ($time, $local, $beijing) приходит уже
# отформатированным для языка; $zone — сокращение и название часового пояса.

## Учётная запись

welcome-title = Добро пожаловать в fairlink
welcome-body = Ваша учётная запись готова к работе.

## Запросы на закупку и подбор

intent-assigned-title = Новый запрос на закупку
intent-assigned-body = Вам передан запрос на закупку «{ $intent }».
intent-matched-title = Совпадение с запросом на закупку
intent-matched-body = Запрос на закупку «{ $intent }» соответствует одному из ваших рекомендованных товаров (релевантность: { $score }).
recommendation-pushed-title = Рекомендуемый товар
recommendation-pushed-body = «{ $exhibit }» соответствует вашему запросу на закупку «{ $intent }».
push-email-subject = fairlink: { $count ->
        [one] { $count } рекомендуемый товар
        [few] { $count } рекомендуемых товара
        [many] { $count } рекомендуемых товаров
       *[other] { $count } рекомендуемого товара
    } по запросу «{ $intent }»
push-email-intro = Здравствуйте, { $name }!

    По вашему запросу на закупку «{ $intent }» { $count ->
        [one] подобран { $count } товар
        [few] подобрано { $count } товара
        [many] подобрано { $count } товаров
       *[other] подобрано { $count } товара
    }:
push-email-line = - { $exhibit } ({ $score }): { $reasons }

## Почему товар рекомендован

reason-similar-product = Похож на товар, который вы ищете
reason-keywords = Совпадение по ключевым словам: { $words }
reason-moq = Минимальная партия { $moq } { $unit } — в пределах нужного вам объёма ({ $quantity })
reason-price = Цена { $min }–{ $max } { $currency } — в пределах целевой цены
reason-certifications = Сертификаты: { $names }
reason-market = Рынок сбыта: { $country }
reason-market-region = Рынок сбыта: { $country } ({ $region })

## Единицы измерения

unit-pieces = { $count ->
       *[other] шт.
    }
unit-sets = { $count ->
        [one] комплект
        [few] комплекта
        [many] комплектов
       *[other] комплекта
    }
unit-pairs = { $count ->
        [one] пара
        [few] пары
        [many] пар
       *[other] пары
    }
unit-meters = м
unit-square-meters = м²
unit-kilograms = кг
unit-tons = т
unit-rolls = { $count ->
        [one] рулон
        [few] рулона
        [many] рулонов
       *[other] рулона
    }
unit-cartons = { $count ->
        [one] короб
        [few] короба
        [many] коробов
       *[other] короба
    }
unit-containers = { $count ->
        [one] контейнер
        [few] контейнера
        [many] контейнеров
       *[other] контейнера
    }

## Визитные карточки и диалоги

card-received-title = Получена визитная карточка
card-received-body = Вам пришла визитная карточка от { $sender }.
conversation-assigned-title = Новый диалог
conversation-assigned-body = Вам передан диалог с покупателем { $buyer }.

## Бронирование встреч

booking-requested-title = Новое бронирование
booking-requested-body = Покупатель { $buyer } забронировал встречу на { $beijing } (по пекинскому времени). Назначьте сотрудника, который её проведёт.
booking-confirmed-title = Встреча подтверждена
booking-confirmed-body = Подтверждена встреча: { $exhibitor } и { $buyer }, { $beijing } (по пекинскому времени).
booking-cancelled-title = Встреча отменена
booking-cancelled-body = Встреча, назначенная на { $beijing } (по пекинскому времени), отменена.

## Письма и SMS о встрече

confirmation-email-subject = Встреча подтверждена: { $exhibitor } / { $buyer }
confirmation-email-body = Подтверждаем вашу встречу: { $exhibitor } и { $buyer }.

    Время: { $local } { $zone }
    Пекинское время: { $beijing }

    Ссылка для подключения: { $link }
invitation-email-subject = Приглашение на встречу: { $exhibitor } / { $buyer }
invitation-email-body = Здравствуйте, { $name }!

    Приглашаем вас на встречу: { $exhibitor } и { $buyer }.

    Время: { $local } { $zone }
    Пекинское время: { $beijing }

    Ссылка для подключения: { $link }
reminder-email-subject = Напоминание: ваша встреча начнётся в { $time }
reminder-email-body = Через 15 минут начнётся ваша встреча: { $exhibitor } и { $buyer }.

    Время: { $local } { $zone }
    Пекинское время: { $beijing }

    Ссылка для подключения: { $link }
# Кодировка UCS-2: 70 знаков на сегмент, поэтому постоянный текст не длиннее ~55 знаков.
reminder-sms = fairlink: встреча { $exhibitor } / { $buyer } в { $time } ({ $beijing } по Пекину). Ссылка: { $link }

## Страны (ISO 3166-1 alpha-2) как рынки сбыта товара

country-US = США
country-GB = Великобритания
country-DE = Германия
country-FR = Франция
country-ES = Испания
country-IT = Италия
country-PT = Португалия
country-NL = Нидерланды
country-BE = Бельгия
country-PL = Польша
country-SE = Швеция
country-RU = Россия
country-KZ = Казахстан
country-BY = Беларусь
country-UA = Украина
country-TR = Турция
country-SA = Саудовская Аравия
country-AE = ОАЭ
country-EG = Египет
country-MA = Марокко
country-DZ = Алжир
country-QA = Катар
country-KW = Кувейт
country-IQ = Ирак
country-JO = Иордания
country-NG = Нигерия
country-KE = Кения
country-ZA = ЮАР
country-SN = Сенегал
country-GH = Гана
country-IN = Индия
country-PK = Пакистан
country-BD = Бангладеш
country-ID = Индонезия
country-MY = Малайзия
country-SG = Сингапур
country-TH = Таиланд
country-VN = Вьетнам
country-PH = Филиппины
country-JP = Япония
country-KR = Южная Корея
country-CN = Китай
country-HK = Гонконг
country-TW = Тайвань
country-AU = Австралия
country-NZ = Новая Зеландия
country-CA = Канада
country-MX = Мексика
country-BR = Бразилия
country-AR = Аргентина
country-CL = Чили
country-CO = Колумбия
country-PE = Перу
